def main():
	if True:
        return 1
