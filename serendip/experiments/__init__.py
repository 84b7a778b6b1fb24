"""A randomised hold-out: does the Serendipity Machine cause introductions, meetings and paid work?"""
