answer = "both"
