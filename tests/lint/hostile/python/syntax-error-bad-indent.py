def main():
    env = 1
  return env
