"""The charts read at a glance: a few light gridlines, the target bold and off the edge, the latest
value labelled, readable text, colours at 3:1, and the series in words for assistive technology."""

import base64
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from funding.services import FundingTotals
from web import charts

SVG = "{http://www.w3.org/2000/svg}"
D = Decimal


def svg_of(markup: str) -> ET.Element:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', markup).group(1)
    return ET.fromstring(base64.b64decode(data))


def alt_of(markup: str) -> str:
    return re.search(r'alt="([^"]*)"', markup).group(1)


def gridlines(svg) -> list[ET.Element]:
    return [line for line in svg.iter(f"{SVG}line") if line.get("stroke") == charts.GRID]


def texts(svg) -> list[ET.Element]:
    return list(svg.iter(f"{SVG}text"))


# An ELA chart over 16 points of range: 20 … 35.5, its target at the top of the data.
ELA = [
    (2010 + i / 4, f"{2010 + i // 4}-{11 + i // 4} {('Fall', 'Winter', 'Spring', 'End')[i % 4]}", D(v))
    for i, v in enumerate(("20", "22.5", "24", "23", "26", "29", "31", "35.5"))
]


def test_a_progress_chart_has_a_light_grid_a_bold_target_off_the_edge_and_its_latest_value():
    svg = svg_of(charts.progress_chart("ELA proficiency (percent)", ELA, baseline=D("20"), target=D("36")))
    grid = gridlines(svg)
    assert 3 <= len(grid) <= 8  # round values, not a line at every unit
    assert all(line.get("stroke-dasharray") is None for line in grid)
    grid_ys = sorted(float(line.get("y1")) for line in grid)
    (target,) = [  # in the plot (the legend's sample line starts further left)
        line
        for line in svg.iter(f"{SVG}line")
        if line.get("stroke") == charts.TARGET and line.get("x1") == str(charts.LEFT)
    ]
    assert float(target.get("stroke-width")) >= 3  # bolder than the grid (1) and the measured line (2.5)
    # Padded: the target (the highest value) sits inside the plot, not on its top edge.
    assert grid_ys[0] + 5 < float(target.get("y1")) < grid_ys[-1]
    labels = {text.text: text for text in texts(svg)}
    assert "Target 36" in labels
    latest = labels["35.5"]  # the latest value, labelled and bold
    assert latest.get("font-weight") == "700" and latest.get("fill") == charts.MEASURED
    assert all(float(text.get("font-size")) >= charts.FONT for text in texts(svg))


def test_a_chart_is_an_image_with_its_title_and_its_series_in_words():
    markup = charts.progress_chart("ELA proficiency (percent)", ELA, target=D("36"))
    svg = svg_of(markup)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "ELA proficiency (percent)"
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Measured 2010-11 Fall: 20, ") and "2011-12 End: 35.5." in desc and "Target 36." in desc
    assert alt_of(markup) == f"ELA proficiency (percent). {desc}"


def test_a_rating_chart_of_sixteen_schools_draws_a_few_ticks_and_counts_each_standing():
    counts = {"Off track": 3, "At risk": 5, "On track": 6, "No data": 2}
    colours = ("#b3261e", "#e07b00", "#2e8540", "#9aa5b1")
    svg = svg_of(charts.rating_chart("Schools by projected progress", counts, colours))
    assert 2 <= len(gridlines(svg)) <= 6
    words = [text.text for text in texts(svg)]
    assert {"Off track 3", "At risk 5", "On track 6", "No data 2"} <= set(words)
    assert "Off track 3, At risk 5, On track 6, No data 2 (16 in all)." in svg.find(f"{SVG}desc").text
    fills = [rect.get("fill") for rect in svg.iter(f"{SVG}rect") if rect.get("fill") != "white"]
    assert fills and all(charts.contrast(fill) >= 3 for fill in fills)  # WCAG 1.4.11, the pale grey darkened
    assert charts.contrasting("#b3261e") == "#b3261e"  # a colour that already stands 3:1 is kept


def test_contrast_ratios():
    assert round(charts.contrast("#000000"), 1) == 21.0
    assert round(charts.contrast("#767676"), 2) == 4.54
    assert charts.contrast("#9aa5b1") < 3 <= charts.contrast(charts.contrasting("#9aa5b1"))


def test_a_funding_chart_wraps_zone_names_and_keeps_its_top_bar_off_the_edge():
    money = {"pledged_private": D("400000"), "committed_private": D("400000"), "received_private": D("400000")}
    totals = FundingTotals(**money, spent=D("60000"))
    rows = [("Arkansas Basin Zone", totals), ("Front Range Valley Zone", totals), ("Pikes Peak Zone", FundingTotals())]
    markup = charts.funding_chart("Zone-level funding by zone", rows)
    svg = svg_of(markup)
    group = (charts.WIDTH - charts.LEFT - charts.RIGHT) / len(rows)
    for index, (name, _totals) in enumerate(rows):
        center = str(round(charts.LEFT + (index + 0.5) * group, 1))
        lines = [text.text for text in texts(svg) if text.get("x") == center]
        assert " ".join(lines) == name  # whole, on one or two lines
    assert len([text for text in texts(svg) if text.get("x") == center]) == 1
    assert len([text for text in texts(svg) if text.text in ("Front Range Valley", "Zone")]) == 2  # wrapped
    top = min(float(line.get("y1")) for line in gridlines(svg))
    bars = [float(rect.get("y")) for rect in svg.iter(f"{SVG}rect") if rect.get("height") and rect.get("y")]
    assert min(bars) > top  # the tallest bar ends below the highest gridline
    stages = ", ".join(f"{stage} ${getattr(totals, stage):,.0f}" for stage in ("pledged", "committed", "received"))
    assert f"Front Range Valley Zone: {stages}, spent $60,000." in alt_of(markup)


def test_a_name_too_long_for_two_lines_is_cut_on_the_chart_and_whole_in_its_description():
    name = "The Very Long Named Partnership Zone of the Upper Arkansas River Valley"
    markup = charts.funding_chart("Funding", [(name, FundingTotals()), ("B", FundingTotals()), ("C", FundingTotals())])
    assert any(text.text.endswith("…") for text in texts(svg_of(markup)))
    assert f"{name}: pledged $0" in alt_of(markup)


def test_a_line_chart_labels_its_latest_value_and_its_target():
    points = [(f"M{i}", D(i) / 20 if i != 5 else None) for i in range(24)]
    svg = svg_of(charts.line_chart("Match", points, series_label="Match ratio", target=D("0.67")))
    words = {text.text for text in texts(svg)}
    assert {"1.15", "Target 0.67", "M23"} <= words
    assert len([text for text in texts(svg) if text.text.startswith("M") and text.text[1:].isdigit()]) <= 13


def test_ticks_are_few_round_values_leaving_room_around_the_data():
    for low, high in ((20, 35.5), (0, 16), (88.2, 92.5), (-3, 2), (50, 50), (0, 11_800_000)):
        values = charts.ticks(low, high)
        assert 3 <= len(values) <= 8
        assert values[0] < low and high < values[-1]  # nothing drawn on the first or last gridline
    assert charts.ticks(0, 16, floor_at_zero=True)[0] == 0


def test_a_funding_chart_of_many_states_says_its_totals_and_largest_pledge_in_words():
    rows = [(f"S{i}", FundingTotals(pledged_private=D(1000 * i), spent=D(10))) for i in range(1, 51)]
    alt = alt_of(charts.funding_chart("Funding by state", rows))
    pledged = sum(row.pledged for _label, row in rows)
    assert alt.startswith(f"Funding by state. 50 in all: pledged ${pledged:,.0f}, ")
    assert "spent $500." in alt and alt.endswith("The most pledged: S50, $50,000.") and "S7:" not in alt
