// An export thread entry that throws while loading (a broken build or a bad threadUrl): ExportThreadTransport must
// fail the requests it handed over as retryable, give up after 3 such deaths, and never throw or reject.
throw new Error('fixture: this export thread fails at load');
