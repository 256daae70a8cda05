"""factory_boy factories, one module per app, so each app's tests build their own world."""
