# Stand-in for hyperledger/fabric-ca, FROM scratch; fabric-ca-server is linked statically (SQLite needs cgo).
FROM scratch
COPY fabric-ca-server fabric-ca-client probe /usr/local/bin/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV FABRIC_CA_HOME=/etc/hyperledger/fabric-ca-server TMPDIR=/etc/hyperledger/fabric-ca-server
VOLUME /etc/hyperledger/fabric-ca-server
EXPOSE 7054
ENTRYPOINT ["/usr/local/bin/fabric-ca-server"]
CMD ["start"]
