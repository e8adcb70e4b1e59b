"""The empty baseline page of the browser timing: one title and one metric; ``?map=1`` adds one small map.

Served by its own ``streamlit run`` (same config as the dashboard, started from the repository
root). A dashboard page with a deck.gl map is compared with the ``?map=1`` variant, since
deck.gl's own start-up is the floor there; the map draws no basemap (``map_provider=None``).
"""

import pydeck as pdk
import streamlit as st

st.set_page_config(page_title="empty", layout="wide")
st.title("空白页")
st.metric("指标", "1,234", delta="+1.0%", border=True)
if st.query_params.get("map") == "1":
    point = pdk.Layer("ScatterplotLayer", data=[{"lon": 114.25, "lat": 22.72}], get_position=["lon", "lat"],
                      get_radius=800, get_fill_color=[31, 94, 168])
    view = pdk.ViewState(latitude=22.72, longitude=114.25, zoom=10)
    st.pydeck_chart(pdk.Deck(layers=[point], initial_view_state=view, map_provider=None, map_style=None),
                    height=380)
