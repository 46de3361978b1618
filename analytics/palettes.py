"""Fixed colours, the same on every chart, table highlight and slide."""
from __future__ import annotations

#: 一类 … 五类: dark red (premium) through to grey-blue (low tier).
CLASS_COLORS = {1: "#B2182B", 2: "#EF8A62", 3: "#F4C542", 4: "#67A9CF", 5: "#2166AC"}
PROVINCIAL_COLORS = {True: "#1B9E77", False: "#B8B8B8"}
CHANNEL_COLORS = {"online": "#7570B3", "phone": "#E7298A", "visit": "#66A61E", "other": "#999999"}
AREA_COLORS = {"urban": "#386CB0", "rural": "#BF5B17"}
#: the selected year and the year it is compared with, on every chart that shows both
YEAR_COLORS = {"current": "#386CB0", "compare": "#BBBBBB"}
SERIES_COLORS = ("#386CB0", "#F0027F", "#BF5B17", "#666666", "#7FC97F", "#BEAED4", "#FDC086", "#1B9E77")
#: a change that is good news (green) or bad news (red); for 五类 a fall is the good news
CHANGE_COLORS = {"good": "#1E8E3E", "bad": "#D93025"}
# --- #14 suspects ---
#: the 代订货 drill-down: the retailer's months against its peers' 25%–75% band and median
PEER_BAND_COLORS = {"own": "#D93025", "band": "rgba(56, 108, 176, 0.18)", "median": "#386CB0"}
