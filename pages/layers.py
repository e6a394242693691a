"""Lesson page under construction."""

import streamlit as st

st.title("layers")
st.info("This lesson is being built.")
