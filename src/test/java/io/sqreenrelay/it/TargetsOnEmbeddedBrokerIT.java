package io.sqreenrelay.it;

/** Every target, its retries and dead letters, on the embedded broker (no RABBITMQ_URI). */
class TargetsOnEmbeddedBrokerIT extends TargetsContractTestBase {

    @Override
    TestBroker newBroker() {
        return TestBroker.embedded();
    }
}
