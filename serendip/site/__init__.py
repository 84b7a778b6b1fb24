"""Pages and callbacks that combine several domains (home, today at a space, my passport, my
balance, the lobby screen, the host pages, /healthz). They sit on top of the layers
(ARCHITECTURE.md, "Layers"): they may import every domain, and no domain imports them.
Their templates stay beside the domain they mostly show (templates/home.html, host/, ...)."""
