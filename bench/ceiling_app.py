"""The framework ceiling: the smallest Flask app that answers a POST.

Served by the same gunicorn settings as the product, it is what every hot
path figure is divided by.
"""

from flask import Flask

app = Flask(__name__)


@app.post("/submit")
def submit():
    return "ok"
