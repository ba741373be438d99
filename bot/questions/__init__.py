"""Ask the programme: questions and their threads with the team, saved answers, and confidential feedback."""
