"""The paperwork a Party office signs, made from the log (issue 12): resolutions and decisions of the admission
procedure and the dossier's table of contents, as Word (docxtpl), HTML and PDF (weasyprint).

forms.py says which documents there are and which step each states; context.py turns the log into what a
document says (pure: the benchmark renders it with no database); render.py fills a template; make.py reads the
log for one candidate. The templates are data in templates/<rule set or default>/, built by make_templates.py.
"""
