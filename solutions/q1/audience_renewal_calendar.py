answer = "am"
