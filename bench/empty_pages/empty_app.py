"""The empty baseline page of the browser timing: one title and one metric, plus the libraries a page draws.

Served by its own ``streamlit run`` (same config as the dashboard, started from the repository
root). ``?map=1`` adds one small deck.gl map (no basemap, ``map_provider=None``) and ``?plotly=1``
one small plotly chart: a dashboard page is compared with the variant that loads the same
heavy front-end libraries, since their own start-up (deck.gl's WebGL set-up, the 4.7 MB
plotly.js chunk) is the floor of any page that draws one, whatever the data behind it.
"""

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="empty", layout="wide")
st.title("空白页")
st.metric("指标", "1,234", delta="+1.0%", border=True)
if st.query_params.get("map") == "1":
    point = pdk.Layer("ScatterplotLayer", data=[{"lon": 114.25, "lat": 22.72}], get_position=["lon", "lat"],
                      get_radius=800, get_fill_color=[31, 94, 168])
    view = pdk.ViewState(latitude=22.72, longitude=114.25, zoom=10)
    # no basemap, as the dashboard's maps: no provider and pydeck's own style sentinel (map_style=None
    # would make the frontend fetch a Carto style from the internet)
    st.pydeck_chart(pdk.Deck(layers=[point], initial_view_state=view, map_provider=None), height=380)
if st.query_params.get("plotly") == "1":
    st.plotly_chart(go.Figure(go.Bar(x=["甲", "乙", "丙"], y=[3, 1, 2])), height=320)
