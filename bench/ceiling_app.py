"""The framework ceiling: the smallest Flask app that answers a POST.

Served by the same gunicorn settings as the product, it is what every hot
path figure is divided by. `/submit` is the bare ceiling (a POST without a
body); any other path answers the same way whatever it is sent, so a
benchmark can send it the very requests the product gets (their cookie,
headers and body: gunicorn still reads every byte) and measure what the
server and the framework cost for those requests alone
(bench/survey_hotpath.py).
"""

from flask import Flask

app = Flask(__name__)


@app.post("/submit")
def submit():
    return "ok"


@app.post("/<path:anything>")
def same_request(anything):
    return "ok"
