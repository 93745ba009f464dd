// An export thread entry that exits at once with code 3 (like a resource limit or process.exit in a dependency),
// never answering: ExportThreadTransport must fail its requests as retryable and give up after 3 such deaths.
process.exit(3);
