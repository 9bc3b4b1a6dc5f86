"""
A picture, style sheet or script of ours that fails to load fails the browser test
it happens in (the `page` fixture watches every response); proved here on purpose.
"""


def test_a_picture_that_does_not_load_is_noticed(page, live_server, failed_loads):
    page.goto("/")
    page.set_content('<img src="/media/posters/gone.jpg" alt="A poster that is gone">')
    page.wait_for_load_state("load")

    assert failed_loads == [f"404 {live_server.url}/media/posters/gone.jpg"]
    failed_loads.clear()  # noticed, as it should be: let the page fixture close cleanly
