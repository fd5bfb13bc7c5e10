# The FIFO assembly queue (uploads → sessions) and its FIFO dead-letter queue. Message group and
# deduplication id are the upload id, set by the sender, hence no content-based deduplication.
# After 5 receives a message moves to the DLQ; sessions marks the upload FAILED on the last one.

resource "aws_sqs_queue" "assembly_dlq" {
  name                      = "${var.prefix}-assembly-dlq.fifo"
  fifo_queue                = true
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "assembly" {
  name                        = "${var.prefix}-assembly.fifo"
  fifo_queue                  = true
  content_based_deduplication = false
  visibility_timeout_seconds  = var.visibility_timeout_seconds
  message_retention_seconds   = var.message_retention_seconds
  receive_wait_time_seconds   = 20
  sqs_managed_sse_enabled     = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.assembly_dlq.arn
    maxReceiveCount     = 5
  })
}

# Only the assembly queue may use the DLQ.
resource "aws_sqs_queue_redrive_allow_policy" "assembly_dlq" {
  queue_url = aws_sqs_queue.assembly_dlq.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.assembly.arn]
  })
}
