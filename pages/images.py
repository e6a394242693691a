"""Lesson page under construction."""

import streamlit as st

st.title("images")
st.info("This lesson is being built.")
