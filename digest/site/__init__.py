"""The site model: which pages exist, what each shows, and the content audit."""
