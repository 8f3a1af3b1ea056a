"""Sample data for Anju: a simulated city's department exports, with mess, faults and ground truth.

Knows the departments only through ../shared/departments/EXPORTS.md; never imports `pipelines`.
Entry point: `sample_data.generate.generate`.
"""
