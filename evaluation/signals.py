"""Events other apps react to without importing this app's services.

Both are sent inside the sender's transaction as ``send(sender=Evaluation, evaluation=obj)``:
evaluation_commissioned when an evaluation is commissioned, evaluation_confirmed each time a
result is confirmed (the first confirmation and again after a re-review). `evaluation.milestones`
moves the funds milestone (under evaluation / evaluated) from them.
"""

from django.dispatch import Signal

evaluation_commissioned = Signal()
evaluation_confirmed = Signal()
