"""Exchange: questions and answers, introductions, meetings and their outcomes."""
