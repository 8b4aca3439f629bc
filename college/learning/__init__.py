"""Learning: self-paced modules and quizzes."""
