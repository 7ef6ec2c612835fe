"""Training the statistical component (issue 3): annotations -> DocBins -> model -> models/<name>.

The steps are separate modules, run by ``project.yml`` through ``python -m kommunnlp.training``:
``convert`` (annotations and corpus gold to training data), ``assemble`` (the trained model plus the
rule components and the merge component, as one pipeline) and ``evaluate`` (held-out scores of the
trained pipeline next to rule-only). Nothing here is imported by ``kommunnlp`` itself.
"""
