"""Where the Specs left a choice open when this model was first written, and what it chose. Each is
written into ledger.json's "assumptions". Specs/ now states every one of them in the section named;
where the statement differs from the first choice, "assumed" says what the Specs now say and the
model follows it (zero slashes are not listed; a batch's duplicate check comes before its items)."""

ASSUMPTIONS = [
    {
        "file": "SAMPLING.md", "section": "Resolution (rule 3)",
        "unclear": "'the first such hash in the order the outcomes were sealed' can mean the hash of the earliest "
                   "sealed outcome that some independent outcome agrees with, or the hash of the pair that is "
                   "completed first in seal order. They differ for outcomes [h1, h2, h2, h1] from four verifiers.",
        "assumed": "The earliest sealed revealed outcome whose hash an independent revealed outcome equals (h1 in "
                   "the example). Scenario 'four verifiers, two confirmed hashes' exercises it.",
    },
    {
        "file": "SETTLEMENT.md", "section": "Shares (verifiers)",
        "unclear": "Whether a 'check' counts per revealed outcome or per (verifier, receipt); with one verifier "
                   "and two agreeing attempts the counts differ. Also whether a verified receipt inside a forfeited "
                   "group (its node cheated on another receipt of the same epoch) credits checks.",
        "assumed": "Per revealed outcome that agrees with the resolution (a sole verifier's two agreeing attempts "
                   "count 2), and yes: every receipt settled by the settlement counts, in forfeited groups too.",
    },
    {
        "file": "LEDGER.md", "section": "State records (settlement: slashes)",
        "unclear": "'one slash per forfeited (node, epoch) group' does not say whether a zero slash (a bond of 0, "
                   "or one rounded down to 0) is listed.",
        "assumed": "First: listed with amount 0. The Specs now say a slash of 0 is not listed (the group is still "
                   "forfeited and its node counted in fraudNodes); the model follows them.",
    },
    {
        "file": "LEDGER.md", "section": "State records (receipt) and SETTLEMENT.md §Settlement",
        "unclear": "The receipt record does not hold the node, the epoch or the units; settlement groups need them.",
        "assumed": "They are taken from the job's assignment record (receipt epoch = assignment epoch, checked by 408).",
    },
    {
        "file": "SAMPLING.md", "section": "Entry rules (receiptReveal, outcomeReveal)",
        "unclear": "Whether an item whose receipt (or outcome) is already revealed is skipped before or after its "
                   "window and opening checks (a repeated reveal after the window: 437 or already_recorded?).",
        "assumed": "Checks first (430, window, 438), then the skip. Scenarios repeat reveals only inside the window.",
    },
    {
        "file": "LEDGER.md", "section": "Applying entries (epochOpen)",
        "unclear": "The order of 421 (not the next epoch) and 422 (one still open).",
        "assumed": "422 first, then 421. No vector depends on the order.",
    },
    {
        "file": "SETTLEMENT.md", "section": "The two phases",
        "unclear": "What 441 means exactly: 'settlements follow in epoch order, each only after the previous one "
                   "is applied'.",
        "assumed": "settlementComputed(E) applies only when E equals the number of applied settlements and no "
                   "settlement of E exists (so a second compute of E, or computing E+1 before E is applied, is 441), "
                   "checked after 440 (E closed).",
    },
    {
        "file": "LEDGER.md", "section": "Applying entries (receipt, receiptBatch)",
        "unclear": "Whether 410 (bond too low) is checked when every receipt is skipped.",
        "assumed": "No: all skipped gives already_recorded (1) before the bond check, as the text orders it.",
    },
    {
        "file": "SETTLEMENT.md", "section": "Shares; Payouts and roots",
        "unclear": "Whether the treasury's share is in the payouts even when it is 0, and whether the treasury "
                   "pays as one payout merged with a node or verifier at the same address.",
        "assumed": "Payouts are summed per address then zeros dropped: the treasury appears only with a positive "
                   "amount, merged with any node or verifier share at its address.",
    },
    {
        "file": "LEDGER.md", "section": "State records (account)",
        "unclear": "An account record 'exists when any field is non-zero': a genesis allocation of 0 and 0 creates "
                   "no record, and an account whose balance, bond and nonce all return to 0 is deleted.",
        "assumed": "As stated: records with all-zero fields are absent from the state and the digest.",
    },
    {
        "file": "SETTLEMENT.md", "section": "Groups, deferral and fraud",
        "unclear": "Which bond a slash is taken from: the bond when the receipt was recorded, when its epoch "
                   "closed, or when settlementComputed applies.",
        "assumed": "The node's bond in the state when settlementComputed applies (phase one fixes the amounts).",
    },
    {
        "file": "LEDGER.md", "section": "Storage",
        "unclear": "Whether the CRC-32C trailer covers the log family too (its key is the u64 height), and the "
                   "meta family's text keys as their ASCII bytes.",
        "assumed": "Yes to both: every stored value of every family is followed by crc32c(key ‖ value), with "
                   "meta keys as ASCII and 'secret' ‖ u64 epoch as the six ASCII bytes then the big-endian epoch.",
    },
    {
        "file": "SETTLEMENT.md", "section": "Split",
        "unclear": "nodesPaid when the nodes pool rounds to 0 but nodes have units (a tiny emission).",
        "assumed": "nodesPaid is the sum of the node shares, 0 then; the treasury gets the rest of the emission.",
    },
    {
        "file": "LEDGER.md", "section": "Applying entries (assignmentBatch, receipt, receiptBatch)",
        "unclear": "Whether the per-item checks of a batch run rule by rule over the whole batch (every spec "
                   "(403), then duplicates (402), then already assigned (404)) or item by item (all checks of "
                   "item 0, then item 1); a batch with two different faults gets a different code.",
        "assumed": "First: assignments rule by rule (403, 402, 404). The Specs now say: the whole list's checks "
                   "(400, 401, 420, 402) first, then item by item (assignments 403, 404; receipts 409 or 405, 406, "
                   "407, 408), then 410; the model follows them. Every refused batch in the vectors has a single "
                   "fault, so no vector depends on this.",
    },
    {
        "file": "LEDGER.md", "section": "Genesis",
        "unclear": "'the order of the table' puts roles.treasury before roles.verifiers, while the payload layout "
                   "below it writes list<address> verifiers before address treasury.",
        "assumed": "The explicit layout: operator, scheduler, verifiers, treasury.",
    },
]
