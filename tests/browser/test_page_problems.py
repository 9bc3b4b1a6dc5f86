"""
What the `page` fixture watches in every browser test, proved here on purpose: a
picture, style sheet or script of ours that fails to load, and anything the browser
refuses under the site's Content-Security-Policy, fail the test they happen in.
"""


def test_a_picture_that_does_not_load_is_noticed(page, live_server, failed_loads):
    page.goto("/")
    page.set_content('<img src="/media/posters/gone.jpg" alt="A poster that is gone">')
    page.wait_for_load_state("load")

    assert failed_loads == [f"404 {live_server.url}/media/posters/gone.jpg"]
    failed_loads.clear()  # noticed, as it should be: let the page fixture close cleanly


def test_a_style_the_policy_blocks_is_noticed(page, policy_violations):
    page.goto("/")
    page.set_content('<p style="color: red">Red in development, black for visitors.</p>')
    page.wait_for_load_state("load")

    assert len(policy_violations) == 1
    assert "Applying inline style violates" in policy_violations[0]
    assert "style-src 'self'" in policy_violations[0]
    policy_violations.clear()  # noticed, as it should be: let the page fixture close cleanly
