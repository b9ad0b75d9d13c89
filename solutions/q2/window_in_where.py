answer = "where_before_window"
