"""HTML views ``kam.clients`` serves itself (see ``urls.py``).

The client list and the client card show sales figures, so they are web views
(``kam.web.views_clients``): clients sit below sales in the layers (issue 7 §8)."""
