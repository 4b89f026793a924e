"""Landing page: the national coverage map (placeholder until the coverage engine lands)."""

import streamlit as st

st.title("Child contact centres and family court centres")
st.write("The national coverage map is being built.")
