answer = "csm"
