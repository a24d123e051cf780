"""The floor for bench/pages.py: a bare Flask route rendering a small template compiled once."""

from flask import Flask

app = Flask(__name__)
PAGE = app.jinja_env.from_string(
    "<!doctype html><html lang=en><title>{{ title }}</title><main><h1>{{ title }}</h1>"
    "{% for item in items %}<p>{{ item }}</p>{% endfor %}</main></html>"
)


@app.route("/")
def floor():
    return PAGE.render(title="Floor", items=["one", "two", "three"])
