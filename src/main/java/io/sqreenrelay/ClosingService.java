package io.sqreenrelay;

import org.apache.camel.support.service.ServiceSupport;

/** A Camel service whose only job is to close its resources, in order (nulls skipped), when the context stops. */
final class ClosingService extends ServiceSupport {

    private final AutoCloseable[] resources;

    ClosingService(AutoCloseable... resources) {
        this.resources = resources;
    }

    @Override
    protected void doStop() throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
