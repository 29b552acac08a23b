def f(a,  # type: int
      b):
    # type: (...) -> None
    pass
(
