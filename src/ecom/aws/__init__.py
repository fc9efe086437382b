"""Deploying and operating the pipeline on AWS: stage configuration, deploy, runs, commands.

Nothing here imports boto3 or creates a client at import time.
"""
