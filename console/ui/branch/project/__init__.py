"""The IVR project editor: the tree of triggers and rules, the offline walk and the replay of walks."""
