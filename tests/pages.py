"""Reading pages the way a browser would, for the view tests."""

from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def form_token(client, url: str) -> str:
    """The one-time submission token of the form on `url`, as a browser would send it."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    field = soup(response).find("input", attrs={"name": "submission_token"})
    assert field is not None and field["value"]
    return field["value"]
