package io.sqreenrelay.it;

/** The ingress contract against the embedded broker that {@code mvn camel:run} uses with no RABBITMQ_URI. */
class IngressOnEmbeddedBrokerIT extends IngressContractTestBase {

    @Override
    TestBroker newBroker() {
        return TestBroker.embedded();
    }
}
