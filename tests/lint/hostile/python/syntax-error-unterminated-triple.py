x = """abc
x = """abc
x = """abc
