"""Pure Plotly figure builders: records in, ``go.Figure`` out. One module per lesson."""
