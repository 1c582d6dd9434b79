"""API plumbing shared by every module: authentication, the error shape, the scope of a request."""
