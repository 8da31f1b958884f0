"""Stand-in for ``google.colab.output``: records each call of enable_custom_widget_manager().

Each call appends to ``CALLS`` and displays a marker output in the calling cell, so the executed notebook
shows where the call happened relative to the first widget (tests/colab/run_notebooks_as_colab.py).
"""
CALLS = []


def enable_custom_widget_manager():
    from IPython.display import publish_display_data

    CALLS.append("enabled")
    publish_display_data({"text/plain": "google.colab stand-in: enable_custom_widget_manager() called"})
