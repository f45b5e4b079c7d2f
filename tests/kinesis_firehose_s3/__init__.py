"""KinesisToFirehoseToS3: one test module per concern of patterns/kinesis_firehose_s3/."""
