driver = decomposition.sort_values("contribution", kind="stable")["component"].iloc[0]
answer = driver
