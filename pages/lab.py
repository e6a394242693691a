"""Lesson page under construction."""

import streamlit as st

st.title("lab")
st.info("This lesson is being built.")
