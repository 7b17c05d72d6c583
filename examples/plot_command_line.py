"""
==========================================
The command line: train, save and predict
==========================================

``skdistill`` (or ``python -m skdistill``) runs the whole job on a CSV file:
it reads the table, encodes the columns, distils a teacher into a student,
prints a report on a held-out test set, and with ``--save`` writes the
preprocessing and the student (no teacher) to a compressed skops file, which
``skdistill predict`` then applies to new rows. Numeric targets with a
fractional part are distilled with :class:`~skdistill.DistilledRegressor`.

This example calls the command line's entry point in Python
(``skdistill.__main__.main`` takes the arguments as a list); in a shell, the
same arguments follow ``skdistill``.
"""

# %%
# A table, written as a CSV file
# ------------------------------
import os
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skdistill.__main__ import main

folder = tempfile.mkdtemp(prefix="skdistill-cli-")
rng = np.random.RandomState(0)
n = 400
table = pd.DataFrame(
    {
        "tenure": rng.randint(1, 72, n),
        "monthly": rng.uniform(20, 120, n).round(2),
        "contract": rng.choice(["month", "year", "two years"], n),
    }
)
risk = 1.5 - table.tenure / 24 + table.monthly / 60 - 1.5 * (table.contract != "month")
table["churn"] = np.where(risk + rng.normal(0, 0.5, n) > 0, "yes", "no")
train_csv = os.path.join(folder, "customers.csv")
table.to_csv(train_csv, index=False)

# %%
# Train, report and save
# ----------------------
# A boosted teacher, a logistic student, and a Markdown report with the
# agreement plot next to it. ``skdistill --help`` lists every option.
model_file = os.path.join(folder, "churn.skops")
report_file = os.path.join(folder, "churn.md")
status = main(
    [
        "--csv", train_csv, "--target", "churn",
        "--teacher", "boosting", "--n-estimators", "50",
        "--save", model_file, "--report", report_file,
    ]
)
print("exit status", status)
print(f"saved model: {os.path.getsize(model_file)} bytes")

# %%
# Predict on new rows
# -------------------
# The new file needs the training columns (in any order); other columns are
# ignored. ``--proba`` adds a probability column per class.
new_csv = os.path.join(folder, "new.csv")
table.drop(columns="churn").sample(50, random_state=1).to_csv(new_csv, index=False)
out_csv = os.path.join(folder, "predictions.csv")
main(["predict", "--model", model_file, "--csv", new_csv, "--out", out_csv, "--proba"])
predictions = pd.read_csv(out_csv)
print(predictions.head())

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.hist(predictions["proba_yes"], bins=20)
ax.set(xlabel="predicted probability of churn", ylabel="customers",
       title="skdistill predict --proba on 50 new rows")

# %%
# The Markdown report
# -------------------
with open(report_file) as file:
    print(file.read())
plt.show()
