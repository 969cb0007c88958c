"""A whole restructuring of the organisation tree from one workbook (issue 10, item 3): its columns, reading it
into dated changes with every problem placed by sheet, row and column, applying it in one transaction, and the
template a committee office fills."""
