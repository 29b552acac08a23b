# pyflink xxxxxxxxxx
\