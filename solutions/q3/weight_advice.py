auc = auc_table.set_index("component")["auc"]
gap = auc["session_trend"] - auc["adoption_breadth"]
if gap >= 0.05:
    answer = "sessions"
elif gap <= -0.05:
    answer = "features"
else:
    answer = "equal"
