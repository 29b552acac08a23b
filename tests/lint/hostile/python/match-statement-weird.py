match x:
    case {**rest, **more}:
        pass
