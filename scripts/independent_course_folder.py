#!/usr/bin/env python3
"""A FOLDER of one course's lecture recordings rendered without momentsearch.testing, indexed together in
ONE index (as a user runs `momentsearch index FOLDER`) and searched across all four: a check on a kind of
collection nothing was tuned on. GEOG 210 Hydrology, weeks 3 to 6, each 3-4 minutes at 1280x720 and 6 fps:

  week 3  Precipitation and Interception    screen recording of the slides
  week 4  Infiltration and Soil Water       screen recording
  week 5  Evapotranspiration                hall camera filming the projection (a temporary room), the
                                            lecturer walking in front, a laser dot, sensor noise
  week 6  Runoff and Hydrographs            screen recording

One deck template for all four, used by no other probe (cream page, a dark teal band down the left edge,
a teal condensed-sans title over an ochre rule, a water-drop mark top right, round blue bullets, a footer
"GEOG 210 Hydrology - Week N" with the page number; the title slide is all teal). One lecturer voice no
other script uses (espeak-ng en-gb-x-rp+m5 at 158 wpm) over light room noise and hiss. What real courses do
and this probe tests: the same boilerplate in every lecture (a title slide "GEOG 210 - Week N - topic", a
"Learning outcomes" slide, an "Announcements" slide with different notices each week, a "Recap of Last
Week" slide in weeks 4-6 whose bullets AND spoken words repeat key phrases of the previous lecture, and a
closing "Questions?" slide); five content topics per lecture, one of them two slides long in weeks 3, 4
and 6 (a bullet slide and a picture: a Thiessen worked example, a Horton curve, a storm hydrograph); and
terms that come back in later weeks in passing (interception in week 5, wilting point in week 5, field
capacity and Hortonian flow in week 6, Thiessen polygons in week 6, the Alder Creek field trip in week 6).

Decisions, fixed before any result was seen. True cuts: every slide change of each file, +-1 s (the
camera's walking lecturer, laser dot and noise are no cuts); a detected boundary farther than 1 s from
every true cut is a false alarm, put down to the slide it falls on. A query's truth is (file, span): a
said / shown / concept query's span is the slide its words are on; a "recap" query uses words that the
next week's recap repeats, and its truth is the TEACHING slide in the earlier week (the recap is a wrong
answer: a student wants where it was taught) -- the report also says where the recap slide ranked (2nd
is the hoped-for place); an "admin" query asks for boilerplate that only one week holds (a notice on one
week's Announcements slide, or one week's Learning outcomes) and its truth is that slide; a "week" query
("which week covered X", "the lecture on X") has the whole two-slide topic in its file as truth. A hit is
a top result in the right FILE with IoU >= 0.5; R@3 counts a right-file IoU >= 0.5 result within the top
3. The 29 queries were written with the slides, before the first run, and not changed after.

    python3 scripts/independent_course_folder.py [--out /tmp/course] [--reuse]

Prints the folder's indexing time and a second `index` run on the folder (which should index nothing),
picture cuts per file and overall (P / R / F1 at +-1 s) with each false alarm's slide, each query's type,
hit or miss, truth (file, span) and top 3 (file, span, slide it lands on, per-channel scores), R1@0.5 and
R@3 per type, where each recap query's recap slide ranked, how often the top result names the right file,
and which results land on boilerplate slides; writes OUT/diagnostics.json (per file: visual segments,
sections, OCR text per entry, transcript chunks, chapters; each query's top 5). `--reuse` scores the
videos and index already in OUT. Deterministic (fixed seeds). Four short lectures: a probe, not a benchmark.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
import independent_code_lecture  # noqa: E402 (its diagnostics and command line)
import independent_lecture  # noqa: E402 (its espeak-ng reader, soundtrack, encoder and hall camera)
import independent_media_lecture  # noqa: E402 (its cut report and line wrapping)

W, H, FPS, SR = 1280, 720, 6, 16000
VOICE, RATE = "en-gb-x-rp+m5", 158
LEAD, GAP = independent_lecture.LEAD, 1.5  # seconds: slide start to first word; last word to next slide
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"
BODY = "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf"
TEAL, OCHRE, INK, CREAM, BLUE = (14, 84, 92), (216, 148, 36), (38, 46, 54), (247, 245, 238), (70, 150, 200)
FOLDER = "GEOG210_recordings"
BOILER = {"title", "outcomes", "announce", "recap", "questions"}

LECTURES = {  # week: (topic, layout, [(key, title, bullets, picture, speech)]); keys t4b/t2b continue t4/t2
    3: ("Precipitation and Interception", "screen", [
        ("title", "", ["Dr. Helen Marsh", "Department of Geography"], None, "Hello everyone, and welcome to week "
         "three of Hydrology. Today we follow water from the cloud down to the ground, and see how much of it "
         "actually gets there."),
        ("outcomes", "Learning outcomes", ["Explain how raindrops form and grow", "Compare instruments that "
         "measure rainfall", "Estimate areal rainfall over a catchment", "Describe canopy interception"], None,
         "By the end of today you should be able to explain how rain forms, compare the ways we measure it, "
         "average it over a whole catchment, and describe what the trees catch before it lands."),
        ("announce", "Announcements", ["Lab 1 report due Friday, 5 pm (Moodle)", "Field trip to Alder Creek on 14 "
         "October: sign-up sheet at the front", "Bring waterproof boots and a notebook"], None, "A few notices "
         "first. Your first lab report is due this Friday at five, submitted on Moodle. The sign up sheet for our "
         "field trip to Alder Creek is at the front of the room, so please add your name before you leave. And "
         "bring boots, it will be muddy."),
        ("t1", "How Raindrops Form", ["Rising air cools to its dew point", "Vapour condenses on nuclei: dust, sea "
         "salt, smoke", "Growth: collision-coalescence or the Bergeron process"], None, "Let's start with how rain "
         "forms. As moist air rises it cools, and once it reaches its dew point the vapour condenses onto tiny "
         "particles floating in the air. These condensation nuclei can be dust, salt from the sea, or smoke. The "
         "cloud droplets are far too small to fall. They grow by bumping into each other and merging, or, in cold "
         "clouds, ice crystals grow at the expense of supercooled droplets until they are heavy enough to drop out."),
        ("t2", "Three Ways to Lift Air", ["Convective: local heating, thunderstorms", "Orographic: windward slopes,"
         " rain shadow", "Frontal: warm air rides over cold air"], None, "Air has to rise before it can cool, and "
         "there are three main ways that happens. On hot days the sun heats the ground and bubbles of warm air "
         "shoot upward, giving short intense afternoon storms. Hills and mountain ranges force the wind to climb, "
         "so the windward slope is wet while the lee side sits in a dry shadow. And along fronts, warm air slides "
         "up over colder, denser air, giving long steady rain over large areas."),
        ("t3", "Measuring Rainfall", ["Standard gauge: funnel and measuring cylinder", "Tipping bucket: 0.2 mm per "
         "tip, logs intensity", "Weather radar: reflectivity, needs gauge calibration"], None, "How do we measure "
         "it? The simplest instrument is a funnel over a cylinder, read by an observer every morning at nine. A "
         "tipping bucket gauge records every two tenths of a millimetre automatically, so we get the intensity of "
         "a storm as well as its total. Radar covers whole regions by measuring how strongly the drops reflect "
         "its signal, but it has to be checked against gauges on the ground."),
        ("t4", "Areal Rainfall", ["Arithmetic mean of all gauges", "Thiessen polygons: each gauge weighted by its "
         "area", "Isohyets: contour lines of equal rainfall"], None, "A gauge measures a point, but a catchment "
         "is an area. The arithmetic mean simply averages all the gauges. The Thiessen method draws polygons "
         "around each gauge and weights it by the area that lies closest to it. Isohyets are contour lines of "
         "equal rainfall, drawn by hand or by interpolation, and they can follow the effect of hills."),
        ("t4b", "Thiessen Polygons: Worked Example", [], "thiessen", "Here is a worked example with three gauges. "
         "Gauge A recorded forty millimetres and represents half of the catchment, B recorded twenty over a "
         "third, and C recorded ten over the rest. The weighted average comes to about twenty eight millimetres, "
         "noticeably more than the simple mean of twenty three."),
        ("t5", "Interception", ["Canopy storage: 1-2 mm per storm", "Throughfall and stemflow reach the ground",
         "Interception loss: up to 35% in conifer forest"], None, "Finally, not all rain reaches the soil. Leaves "
         "and branches catch the first millimetre or two of every storm. Some of that water drips through the "
         "gaps or runs down the trunks, but the rest evaporates straight back into the air. In a dense spruce "
         "plantation that loss can be a third of the yearly total."),
        ("questions", "Questions?", ["Next week: Infiltration and Soil Water", "h.marsh@univ.example"], None,
         "That's all for today. Any questions? Next week we go underground, into the soil."),
    ]),
    4: ("Infiltration and Soil Water", "screen", [
        ("title", "", ["Dr. Helen Marsh", "Department of Geography"], None, "Good morning, and welcome to week "
         "four. Today we follow the water into the ground."),
        ("outcomes", "Learning outcomes", ["Define infiltration rate and capacity", "Apply Horton's equation",
         "Name the soil moisture states", "Choose a method to measure soil water"], None, "Today's outcomes: "
         "you should be able to define infiltration, use Horton's equation, name the moisture states of a soil, "
         "and pick a method for measuring soil water."),
        ("announce", "Announcements", ["Midterm exam: Wednesday 22 October, in class", "Covers weeks 1 to 5; "
         "practice questions on Moodle", "Lab 2 groups are posted"], None, "Two notices. The midterm exam is on "
         "Wednesday the twenty second of October, here in class. It covers weeks one to five, and practice "
         "questions are on Moodle. The groups for the second lab are posted too."),
        ("recap", "Recap of Last Week", ["Rain forms on condensation nuclei", "Convective, orographic and frontal "
         "lifting", "Thiessen polygons weight each gauge by its area", "Interception loss from the canopy"], None,
         "A quick recap of last week. Rain forms when vapour condenses on condensation nuclei. Air is lifted by "
         "convective, orographic or frontal processes. We averaged gauges with Thiessen polygons, weighting each "
         "gauge by its area. And we saw the interception loss from the canopy."),
        ("t1", "What Is Infiltration?", ["Water entering the soil surface", "Infiltration rate vs infiltration "
         "capacity", "Rain beyond capacity becomes overland flow"], None, "So, infiltration is the movement of "
         "water from the surface into the soil. We distinguish the rate at which water is actually going in from "
         "the capacity, the maximum rate the soil could take. If rain falls faster than that maximum, the surplus "
         "cannot get in and it starts to run across the surface instead."),
        ("t2", "Horton's Equation", ["f(t) = fc + (f0 - fc) e^(-kt)", "Starts high when the soil is dry", "Decays "
         "to a steady rate fc"], None, "In the nineteen thirties Robert Horton noticed that the capacity is "
         "highest at the start of a storm and falls off over time. His equation describes an exponential decay "
         "from an initial value toward a constant final rate, with a decay constant that depends on the soil."),
        ("t2b", "Horton Curve: Sandy Loam", [], "horton", "This curve is for a sandy loam. It begins at sixty "
         "millimetres per hour and settles at about twelve within the first hour."),
        ("t3", "Controls on Infiltration", ["Texture: sand drains fast, clay slowly", "Crusting and compaction seal"
         " the surface", "Macropores: roots and worm burrows"], None, "What controls it? Coarse sandy soils let "
         "water in quickly, while clays are slow. Raindrops hitting bare soil can form a thin crust, and tractors "
         "or trampling animals compact the ground. On the other hand, old root channels and the tunnels dug by "
         "earthworms act as fast pathways deep into the profile."),
        ("t4", "Soil Moisture States", ["Saturation: all pores filled", "Field capacity: after free drainage",
         "Permanent wilting point: water held too tightly"], None, "A soil can hold different amounts of water. "
         "When every pore is full it is saturated. After a day or two of draining under gravity, it reaches field "
         "capacity. And when plants can no longer pull water out of the tiny pores, it has reached the permanent "
         "wilting point. The difference between the last two is the water available to plants."),
        ("t5", "Measuring Soil Water", ["Gravimetric: weigh, oven-dry at 105 °C, reweigh", "TDR probes: dielectric"
         " constant", "Double-ring infiltrometer in the field"], None, "To measure it, the classic method is to "
         "take a sample, weigh it, dry it in an oven overnight and weigh it again. Electronic sensors pushed into "
         "the ground estimate water content from how the soil slows an electrical pulse. And to measure "
         "infiltration itself we hammer two metal rings into the ground, fill them with water and time how fast "
         "the level drops."),
        ("questions", "Questions?", ["Next week: Evapotranspiration", "h.marsh@univ.example"], None, "Thanks "
         "everyone. Any questions? Next week, the water goes back up into the air."),
    ]),
    5: ("Evapotranspiration", "camera", [
        ("title", "", ["Dr. Helen Marsh", "Department of Geography"], None, "Good morning everyone. Week five, and "
         "today the water goes back up into the atmosphere."),
        ("outcomes", "Learning outcomes", ["Explain the energy needed for evaporation", "Describe transpiration by "
         "plants", "Compare pan and lysimeter measurements", "Outline the Penman-Monteith method"], None, "By the "
         "end of this session you should be able to explain where the energy for evaporation comes from, "
         "describe how plants transpire, compare two ways of measuring it, and outline the standard method for "
         "estimating it."),
        ("announce", "Announcements", ["Room change: from Week 6 we meet in Kessler Hall, room 104", "Today's "
         "session is filmed by the hall camera", "Midterm marks: two weeks after the exam"], None, "One important "
         "change. From next week we move to Kessler Hall, room one oh four, because this room is being renovated."
         " Today we are in a temporary room, so the session is filmed by the hall camera. And midterm marks will "
         "come back about two weeks after the exam."),
        ("recap", "Recap of Last Week", ["Infiltration capacity falls during a storm (Horton's equation)", "Field "
         "capacity and permanent wilting point", "Double-ring infiltrometer"], None, "Last week in brief. "
         "Infiltration capacity falls during a storm, following Horton's equation. We defined field capacity and "
         "the permanent wilting point. And we measured infiltration with a double ring infiltrometer."),
        ("t1", "The Physics of Evaporation", ["Latent heat: 2.45 MJ per kg of water", "Driven by the vapour "
         "pressure deficit", "Wind replaces the moist air"], None, "Evaporation takes a lot of energy. Turning one"
         " kilogram of liquid water into vapour needs about two and a half megajoules, mostly supplied by "
         "sunshine. It goes faster when the air is dry, that is, when there is a large gap between how much "
         "vapour the air holds and how much it could hold. And wind helps by carrying away the damp air sitting "
         "just above the surface."),
        ("t2", "Transpiration", ["Stomata open to take in CO2", "Water drawn from the root zone", "Shuts down near "
         "the wilting point"], None, "Plants lose water through tiny pores in their leaves, which they must open "
         "to take in carbon dioxide. Water is pulled up from the roots through the stem to replace it. When the "
         "soil dries toward the wilting point, the pores close and transpiration almost stops. A single large oak "
         "can move a few hundred litres on a summer day."),
        ("t3", "Measuring Evaporation", ["Class A pan: 1.21 m diameter", "Pan coefficient about 0.7", "Weighing "
         "lysimeter: a soil block on scales"], None, "For open water we use an evaporation pan, a shallow tank "
         "filled with water, and we record the drop in level every day. A pan loses more than a lake, so we "
         "multiply by a pan coefficient of about point seven. A lysimeter is a block of soil with its plants, "
         "sitting on a very precise scale, so every gram that leaves it is weighed."),
        ("t4", "Penman-Monteith", ["Combines the energy balance and aerodynamics", "Reference crop: grass 0.12 m "
         "tall", "FAO-56: the international standard"], None, "The most widely used estimate combines both ideas,"
         " the energy available and the drying power of the air, in one equation. It is usually applied to an "
         "imaginary reference surface of short, well watered grass, and then adjusted for real crops with a crop "
         "factor."),
        ("t5", "ET in the Water Balance", ["P = Q + ET + dS", "Interception loss counts as ET", "Forests use more "
         "water than grassland"], None, "Putting it together, rain equals runoff plus evapotranspiration plus the "
         "change in storage. Remember the interception we met two weeks ago: water evaporating from wet leaves is"
         " part of evapotranspiration too. That is one reason a forest returns more water to the air than a "
         "meadow does, and why planting trees can reduce the flow in streams."),
        ("questions", "Questions?", ["Next week: Runoff and Hydrographs", "h.marsh@univ.example"], None, "That's it"
         " for today. Any questions? Next week we follow the water into the rivers."),
    ]),
    6: ("Runoff and Hydrographs", "screen", [
        ("title", "", ["Dr. Helen Marsh", "Department of Geography"], None, "Hello again, and welcome to week six, "
         "in our new room. Today, where the water goes once it reaches the stream."),
        ("outcomes", "Learning outcomes", ["Distinguish the runoff mechanisms", "Read a storm hydrograph",
         "Separate baseflow from quickflow", "Use a unit hydrograph"], None, "Today you will learn to tell the "
         "different runoff mechanisms apart, read a storm hydrograph, separate baseflow, and use a unit "
         "hydrograph to predict a flood."),
        ("announce", "Announcements", ["Field report due Sunday 2 November, 11:59 pm", "Submit as one PDF, max "
         "2,000 words", "Midterm marks are on Moodle"], None, "Notices. The report from our Alder Creek field "
         "trip is due on Sunday the second of November, just before midnight. Please submit one PDF of no more "
         "than two thousand words. Your midterm marks are now on Moodle."),
        ("recap", "Recap of Last Week", ["Latent heat drives evaporation", "Stomata control transpiration", "Class "
         "A pan and the pan coefficient", "Penman-Monteith for reference ET"], None, "Recap of last week. Latent "
         "heat drives evaporation. Stomata control transpiration. We measured evaporation with a Class A pan and a"
         " pan coefficient. And Penman Monteith gives the reference evapotranspiration."),
        ("t1", "Runoff Generation", ["Infiltration-excess (Hortonian) overland flow", "Saturation-excess overland "
         "flow", "Subsurface stormflow through the soil"], None, "Water reaches a stream by several routes. When "
         "rain is more intense than the soil can absorb, water runs over the surface; we call this Hortonian flow."
         " In humid areas, soils near the channel fill up completely, and even gentle rain then runs off. And "
         "much storm water moves sideways through the soil, above field capacity, reaching the stream within "
         "hours."),
        ("t2", "The Storm Hydrograph", ["Rising limb, peak, recession limb", "Lag time: rain centroid to peak flow",
         "Quickflow on top of baseflow"], None, "A hydrograph plots discharge against time. After a storm the "
         "flow climbs on the rising limb, reaches a peak, and falls away along the recession limb. The delay "
         "between the middle of the rainfall and the peak is the lag time, a few hours in a small catchment."),
        ("t2b", "Hydrograph: Alder Creek, 3 March", [], "hydrograph", "Here is a real one from Alder Creek, the "
         "site of our field trip. The peak came five hours after the heaviest rain."),
        ("t3", "Baseflow Separation", ["Straight line from rise to recession", "Recession constant k",
         "Groundwater sustains dry-season flow"], None, "To split the hydrograph, the simplest method draws a "
         "straight line from the point where the flow starts to rise to the point on the recession where it "
         "flattens. Everything below the line is baseflow, fed by groundwater, which keeps rivers running through"
         " the dry summer months."),
        ("t4", "Catchment Controls", ["Area, shape and slope", "Drainage density", "Urbanisation: flashier floods"],
         None, "The shape of the hydrograph depends on the catchment. Large catchments respond slowly, round ones"
         " deliver water to the outlet all at once, and steep ones faster still. Paving over a town replaces soil"
         " with roofs and roads, so peaks arrive sooner and higher."),
        ("t5", "The Unit Hydrograph", ["Runoff from 1 mm of effective rain", "Assumes a linear, time-invariant "
         "catchment", "Input: areal rainfall, e.g. Thiessen polygons"], None, "Finally, the unit hydrograph is the"
         " response of a catchment to one millimetre of effective rain falling evenly over a fixed duration. "
         "Because we assume the response is linear, a bigger storm is simply a scaled and shifted sum of unit "
         "responses. The rainfall we feed in is the areal average, for example from Thiessen polygons, as in "
         "week three."),
        ("questions", "Questions?", ["Next week: Groundwater", "h.marsh@univ.example"], None, "Thank you. Any "
         "questions? Next week we go deeper, to groundwater."),
    ]),
}
QUERIES = [  # (query, week, slide key or "topic:KEY" for the whole topic, type); written before the first run
    ("short intense afternoon storms", 3, "t2", "said"),
    ("read by an observer every morning at nine", 3, "t3", "said"),
    ("tunnels dug by earthworms", 4, "t3", "said"),
    ("a few hundred litres on a summer day", 5, "t2", "said"),
    ("soils near the channel fill up completely", 6, "t1", "said"),
    ("a scaled and shifted sum of unit responses", 6, "t5", "said"),
    ("Bergeron process", 3, "t1", "shown"),
    ("throughfall and stemflow", 3, "t5", "shown"),
    ("TDR probes dielectric constant", 4, "t5", "shown"),
    ("FAO-56 international standard", 5, "t4", "shown"),
    ("rain centroid to peak flow", 6, "t2", "shown"),
    ("drainage density", 6, "t4", "shown"),
    ("why places downwind of high ground stay drier", 3, "t2", "concept"),
    ("how heavy farm machinery affects water soaking into fields", 4, "t3", "concept"),
    ("why washing dries faster on a breezy day", 5, "t1", "concept"),
    ("why covering a valley in woodland leaves less water for its rivers", 5, "t5", "concept"),
    ("why a creek never runs dry in a drought", 6, "t3", "concept"),
    ("rain forms when vapour condenses on condensation nuclei", 3, "t1", "recap"),
    ("Horton's equation for infiltration capacity falling during a storm", 4, "t2", "recap"),
    ("field capacity and the permanent wilting point", 4, "t4", "recap"),
    ("evaporation pan and the pan coefficient", 5, "t3", "recap"),
    ("stomata control transpiration", 5, "t2", "recap"),
    ("the announcement about the room change", 5, "announce", "admin"),
    ("the deadline for the field report", 6, "announce", "admin"),
    ("when is the midterm exam", 4, "announce", "admin"),
    ("field trip sign-up sheet", 3, "announce", "admin"),
    ("learning outcomes of the infiltration lecture", 4, "outcomes", "admin"),
    ("which week covered areal rainfall", 3, "topic:t4", "week"),
    ("the lecture on the storm hydrograph", 6, "topic:t2", "week"),
]
WARP_TO = [[340, 70], [1160, 110], [1140, 580], [360, 610]]  # week 5: where the projection lies in the camera


def file_name(week: int) -> str:
    return f"geog210_week{week:02d}.mp4"


def fonts() -> dict:
    from PIL import ImageFont

    return {"title": ImageFont.truetype(BOLD, 46), "body": ImageFont.truetype(BODY, 36),
            "foot": ImageFont.truetype(BODY, 20), "big": ImageFont.truetype(BOLD, 64),
            "sub": ImageFont.truetype(BOLD, 50), "name": ImageFont.truetype(BODY, 30),
            "label": ImageFont.truetype(BODY, 24), "small": ImageFont.truetype(BOLD, 26)}


def drop(d, x: int, y: int, r: int, fill) -> None:
    """A water drop whose round bottom is centred at (x, y) with radius r."""
    d.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    d.polygon([(x - r * 0.87, y - r * 0.5), (x, y - 2.2 * r), (x + r * 0.87, y - r * 0.5)], fill=fill)


def template(week: int, title: str, page: int):
    """The deck's page: cream, a teal band down the left, the title over an ochre rule, a drop mark, the footer."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (W, H), CREAM)
    d = ImageDraw.Draw(im)
    f = fonts()
    d.rectangle([0, 0, 28, H], fill=TEAL)
    d.text((70, 44), title, font=f["title"], fill=TEAL)
    d.rectangle([70, 116, 1150, 121], fill=OCHRE)
    drop(d, 1200, 92, 22, BLUE)
    d.line([70, 668, 1210, 668], fill=(190, 190, 184), width=2)
    d.text((70, 680), f"GEOG 210 Hydrology - Week {week}", font=f["foot"], fill=(120, 124, 128))
    d.text((1210, 680), str(page), font=f["foot"], fill=(120, 124, 128), anchor="ra")
    return im, d, f


def title_slide(week: int, topic: str, lines: list[str]) -> np.ndarray:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (W, H), TEAL)
    d = ImageDraw.Draw(im)
    f = fonts()
    drop(d, 1130, 150, 40, (120, 190, 220))
    d.text((100, 200), f"GEOG 210 · Week {week}", font=f["big"], fill=(250, 250, 246))
    d.rectangle([100, 300, 700, 306], fill=OCHRE)
    d.text((100, 330), topic, font=f["sub"], fill=(250, 214, 140))
    for k, line in enumerate(lines):
        d.text((100, 470 + 48 * k), line, font=f["name"], fill=(220, 232, 234))
    return np.asarray(im)


def slide_image(week: int, page: int, title: str, bullets: list[str], picture: str | None) -> np.ndarray:
    im, d, f = template(week, title, page)
    if picture is not None:
        {"thiessen": thiessen, "horton": horton, "hydrograph": hydrograph}[picture](d, f)
        return np.asarray(im)
    y = 170
    for text in bullets:
        d.ellipse([80, y + 12, 96, y + 28], fill=BLUE)
        for line in independent_media_lecture.wrap(text, f["body"], 1040):
            d.text((116, y), line, font=f["body"], fill=INK)
            y += 48
        y += 30
    return np.asarray(im)


def thiessen(d, f) -> None:
    """A catchment outline cut into three polygons around gauges A, B, C, with a table of the sums."""
    d.polygon([(120, 300), (300, 180), (560, 200), (660, 380), (560, 600), (260, 620), (110, 480)],
              outline=TEAL, fill=(226, 238, 236), width=4)
    for a, b in (((330, 190), (400, 420)), ((400, 420), (655, 370)), ((400, 420), (300, 615))):
        d.line([a, b], fill=(120, 124, 128), width=3)
    for name, x, y, mm in (("A", 230, 400, 40), ("B", 500, 300, 20), ("C", 480, 500, 10)):
        d.ellipse([x - 9, y - 9, x + 9, y + 9], fill=(180, 40, 40))
        d.text((x + 16, y - 14), f"{name}: {mm} mm", font=f["label"], fill=INK)
    rows = ["Gauge   Rain   Area share", "A       40 mm   0.50", "B       20 mm   0.33", "C       10 mm   0.17",
            "Weighted mean = 28.3 mm", "Simple mean = 23.3 mm"]
    for k, row in enumerate(rows):
        d.text((760, 220 + 50 * k), row, font=f["small"] if k in (0, 4) else f["label"], fill=INK)


def axes(d, f, box, xlabel: str, ylabel: str) -> None:
    x0, y0, x1, y1 = box
    d.line([x0, y0, x0, y1, x1, y1], fill=INK, width=3)
    d.text(((x0 + x1) // 2, y1 + 34), xlabel, font=f["label"], fill=INK, anchor="mm")
    d.text((x1, y0 - 30), ylabel, font=f["label"], fill=INK, anchor="ra")


def horton(d, f) -> None:
    """Infiltration capacity against time for a sandy loam: 60 mm/h decaying to 12 mm/h."""
    box = (160, 190, 1100, 600)
    axes(d, f, box, "time since rain began (h)", "capacity f (mm/h)")
    ts = np.linspace(0, 2, 80)
    fs = 12 + 48 * np.exp(-4 * ts)
    pts = [(box[0] + t / 2 * (box[2] - box[0]), box[3] - v / 65 * (box[3] - box[1])) for t, v in zip(ts, fs)]
    d.line(pts, fill=(180, 40, 40), width=5)
    d.line([box[0], box[3] - 12 / 65 * 410, box[2], box[3] - 12 / 65 * 410], fill=(150, 150, 150), width=2)
    d.text((700, 300), "f0 = 60 mm/h,  fc = 12 mm/h,  k = 4 /h", font=f["label"], fill=INK)


def hydrograph(d, f) -> None:
    """Discharge of a storm with rain bars hanging from the top."""
    box = (160, 200, 1100, 600)
    axes(d, f, box, "hours", "discharge (m3/s)")
    for k, r in enumerate([3, 8, 14, 6, 2]):
        x = 240 + 40 * k
        d.rectangle([x, 140, x + 30, 140 + 9 * r], fill=BLUE)
    ts = np.linspace(0, 30, 120)
    q = 0.8 + 7.6 * (ts / 7) ** 2 * np.exp(2 * (1 - ts / 7))
    pts = [(box[0] + t / 30 * (box[2] - box[0]), box[3] - v / 9 * (box[3] - box[1])) for t, v in zip(ts, q)]
    d.line(pts, fill=TEAL, width=5)
    d.text((520, 220), "peak 8.4 m3/s,  lag 5 h", font=f["label"], fill=INK)


def timeline(slides: list[tuple], clips: list[np.ndarray]) -> list[dict]:
    shots, t = [], 0.0
    for (key, *_), clip in zip(slides, clips):
        end = t + LEAD + len(clip) / SR + GAP
        shots.append({"key": key, "start": round(t, 3), "end": round(end, 3)})
        t = end
    return shots


def render_week(out: Path, week: int, rng) -> dict:
    """Writes OUT/FOLDER/file_name(week) and a middle frame of each slide to OUT/frames; returns its truth."""
    import av
    import cv2
    from PIL import Image

    topic, layout, slides = LECTURES[week]
    clips = [independent_lecture.speak(speech, VOICE, RATE) for *_, speech in slides]
    shots = timeline(slides, clips)
    images = [title_slide(week, topic, bullets) if key == "title" else slide_image(week, k + 1, title, bullets, pic)
              for k, (key, title, bullets, pic, _) in enumerate(slides)]
    warp = cv2.getPerspectiveTransform(np.float32([[0, 0], [W, 0], [W, H], [0, H]]), np.float32(WARP_TO))
    starts, duration = [s["start"] for s in shots], shots[-1]["end"]
    with av.open(str(out / FOLDER / file_name(week)), "w") as container:
        video, sound = independent_lecture.streams(container, FPS)
        for f in range(int(duration * FPS)):
            t = f / FPS
            k = int(np.searchsorted(starts, t, side="right")) - 1
            picture = independent_lecture.camera_frame(images[k], t, warp, rng) if layout == "camera" else images[k]
            if f == int((shots[k]["start"] + shots[k]["end"]) / 2 * FPS):
                Image.fromarray(picture).save(out / "frames" / f"w{week}_{k:02d}_{shots[k]['key']}.png")
            for packet in video.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(picture), format="rgb24")):
                container.mux(packet)
        audio = independent_lecture.soundtrack(clips, starts, duration, rng)
        independent_lecture.finish(container, video, sound, audio + 0.003 * rng.normal(0, 1, audio.size))
    print(f"week {week} ({layout}): {duration:.1f} s, slides at " +
          ", ".join(f"{s['start']:.1f} {s['key']}" for s in shots))
    return {"week": week, "layout": layout, "shots": shots, "cuts": starts[1:],
            "situations": {s["key"]: [s["start"], s["start"], s["end"]] for s in shots}}


def span_of(ft: dict, target: str) -> tuple[float, float]:
    """A slide's span, or with "topic:KEY" the whole topic (KEY and its continuation KEYb)."""
    key = target.removeprefix("topic:")
    shots = [s for s in ft["shots"] if s["key"] == key or (target.startswith("topic:") and s["key"] == key + "b")]
    return shots[0]["start"], shots[-1]["end"]


def render(out: Path) -> dict:
    """Writes the four lectures into OUT/FOLDER and OUT/truth.json; returns the truth."""
    shutil.rmtree(out / FOLDER, ignore_errors=True)
    (out / FOLDER).mkdir(parents=True)
    (out / "frames").mkdir(exist_ok=True)
    files = {file_name(w): render_week(out, w, np.random.default_rng(100 + w)) for w in LECTURES}
    queries = []
    for query, week, target, kind in QUERIES:
        ft = files[file_name(week)]
        recap = None
        if kind == "recap":
            recap = [file_name(week + 1), *span_of(files[file_name(week + 1)], "recap")]
        queries.append([query, file_name(week), *span_of(ft, target), kind, recap])
    truth = {"files": files, "queries": queries}
    (out / "truth.json").write_text(json.dumps(truth, indent=1))
    return truth


def index_folder(out: Path, reuse: bool):
    """OUT/db with the folder's four files indexed in one run (afresh unless `reuse`), then `index` run again
    on the folder itself, which should find every file unchanged."""
    from momentsearch.api import MomentIndex

    videos = sorted((out / FOLDER).glob("*.mp4"))
    if not reuse:
        shutil.rmtree(out / "db", ignore_errors=True)
    index = MomentIndex(out / "db")
    if not reuse:
        t0 = time.time()
        rep = index.index([str(p) for p in videos])
        print(f"indexed {len(videos)} files in {time.time() - t0:.0f} s: " +
              ", ".join(f"{Path(r.path).name} {r.status} {r.duration:.0f} s {r.reason}" for r in rep.files))
        print("  stage seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(rep.times.seconds.items())))
        for w in rep.warnings:
            print(f"  warning: {w}")
    t0 = time.time()
    rep = index.index([str(out / FOLDER)])
    print(f"second index run on the folder: {time.time() - t0:.1f} s: " +
          ", ".join(f"{Path(r.path).name} {r.status} {r.reason}" for r in rep.files))
    return index


def landing(truth: dict, name: str, start: float, end: float) -> str:
    """`wN key` of the slide in file `name` that [start, end] overlaps most."""
    ft = truth["files"].get(name)
    if ft is None:
        return "?"
    best = max(ft["shots"], key=lambda s: min(end, s["end"]) - max(start, s["start"]))
    return f"w{ft['week']} {best['key']}"


def score_cuts(out: Path, index, truth: dict) -> dict:
    """Per file: the shared cut report (each false alarm named by its slide), then P/R/F1 over the folder;
    returns each file's diagnostics."""
    from momentsearch.evaluate import boundary_scores, detected_boundaries

    found, tp, fp, fn, diag = detected_boundaries(index), 0, 0, 0, {}
    for name, ft in truth["files"].items():
        rec = index.find_video(str(out / FOLDER / name))
        print(f"== {name} (week {ft['week']}, {ft['layout']})")
        independent_media_lecture.score_cuts(rec, index, ft)
        sc = boundary_scores(found[rec.path], ft["cuts"])
        tp, fp, fn = tp + sc.tp, fp + sc.fp, fn + sc.fn
        diag[name] = independent_code_lecture.diagnostics(index, rec)
        diag[name].pop("queries")
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    print(f"picture cuts over the folder: TP {tp} FP {fp} FN {fn}: P {p:.2f} R {r:.2f} F1 {f1:.2f}")
    return diag


def run_queries(index, truth: dict) -> list[dict]:
    """Each query's top 5 against its (file, span): hit (top 1), R@3, right file on top, where the recap ranked."""
    from momentsearch.ranking.fusion import iou as span_iou

    rows = []
    for query, name, start, end, kind, recap in truth["queries"]:
        results = index.search(query, k=5)
        ious = [float(span_iou(m.start, m.end, start, end)) if Path(m.video).name == name else 0.0 for m in results]
        hit, at3 = bool(ious) and ious[0] >= 0.5, any(v >= 0.5 for v in ious[:3])
        top_file = bool(results) and Path(results[0].video).name == name
        lands = [landing(truth, Path(m.video).name, m.start, m.end) for m in results]
        recap_rank = None
        if recap is not None:
            recap_rank = next((k + 1 for k, m in enumerate(results) if Path(m.video).name == recap[0]
                               and span_iou(m.start, m.end, recap[1], recap[2]) >= 0.5), None)
        print(f"{kind:7s} {'hit ' if hit else 'MISS'} R@3 {'yes' if at3 else 'no '} file {'ok ' if top_file else 'BAD'}"
              f" truth {landing(truth, name, start, end)} {start:.1f}-{end:.1f}"
              + ("" if recap is None else f" recap rank {recap_rank}") + f" | {query}")
        for m, v, lab in list(zip(results, ious, lands))[:3]:
            chans = " ".join(f"{c}={x:.2f}" for c, x in sorted(m.channels.items()))
            print(f"      {lab:13s} {m.start:6.1f}-{m.end:6.1f} IoU {v:.2f} score {m.score:.3f} [{chans}]")
        rows.append({"query": query, "type": kind, "truth": [name, start, end], "hit": hit, "r3": at3,
                     "top_file_ok": top_file, "recap_rank": recap_rank, "lands": lands,
                     "results": [m.to_json() for m in results]})
    return rows


def summary(rows: list[dict]) -> None:
    kinds = sorted({r["type"] for r in rows})
    n = len(rows)
    print(f"R1@0.5 {sum(r['hit'] for r in rows)}/{n}; R@3 {sum(r['r3'] for r in rows)}/{n}; right file on top "
          f"{sum(r['top_file_ok'] for r in rows)}/{n}")
    for k in kinds:
        sel = [r for r in rows if r["type"] == k]
        print(f"  {k:7s} R1 {sum(r['hit'] for r in sel)}/{len(sel)}  R@3 {sum(r['r3'] for r in sel)}/{len(sel)}  "
              f"file {sum(r['top_file_ok'] for r in sel)}/{len(sel)}")
    recaps = [r for r in rows if r["type"] == "recap"]
    print("recap slide ranks (1 = the recap stole the query, 2 = hoped for): " +
          ", ".join(f"{r['recap_rank']}" for r in recaps) + "; top 1 on a recap slide: " +
          f"{sum(r['lands'][0].endswith('recap') for r in recaps)}/{len(recaps)}")
    stolen = [r for r in rows if not r["hit"] and r["lands"] and r["lands"][0].split()[1] in BOILER]
    print(f"misses whose top result is a boilerplate slide: {len(stolen)}: " +
          "; ".join(f"{r['query']!r} -> {r['lands'][0]}" for r in stolen))


def evaluate(out: Path, truth: dict, reuse: bool) -> None:
    index = index_folder(out, reuse)
    diag = score_cuts(out, index, truth)
    rows = run_queries(index, truth)
    summary(rows)
    (out / "diagnostics.json").write_text(json.dumps({"files": diag, "queries": rows}, indent=1, default=str))


def main() -> int:
    return independent_code_lecture.run_probe(__doc__, "/tmp/course", render, evaluate)


if __name__ == "__main__":
    sys.exit(main())
